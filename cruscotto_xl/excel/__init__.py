"""The Excel side (xlwings, BSD part only): worksheet functions for now."""
