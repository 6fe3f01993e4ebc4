"""Reading workbooks back: everything is found through table names and defined names."""
