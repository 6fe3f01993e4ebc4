Attribute VB_Name = "CRUSCOTTO"
' Worksheet functions of cruscotto_xl (Python: cruscotto_xl/excel/udfs.py), callable as
' =CRUSCOTTO.GRADO(...) or simply =GRADO(...). Each wrapper is what xlwings' Import
' Functions writes for an add-in: the call goes to xlwings' COM server (XLPy, module
' xlwings), which runs the Python function and returns its result; on a Python error
' the cell shows the error text. Arguments are passed by position. xlwings worksheet
' functions run only in Excel for Windows: on a Mac the cell says so.
Option Explicit

Public Function GRADO(consuntivo, target_piano, Optional politica, Optional riferimento, Optional data_evento)
#If Mac Then
    GRADO = "Le funzioni del Cruscotto (GRADO, TARGET, PESI, MEDIA_PESATA) funzionano solo in Excel per Windows: su Mac usare le formule native del foglio."
    Exit Function
#End If
    If TypeOf Application.Caller Is Range Then On Error GoTo failed
    GRADO = XLPy.CallUDF("cruscotto_xl.excel.udfs", "grado", Array(consuntivo, target_piano, politica, riferimento, data_evento), ActiveWorkbook, Application.Caller)
    Exit Function
failed:
    GRADO = Err.Description
End Function

Public Function TARGET(testo)
#If Mac Then
    TARGET = "Le funzioni del Cruscotto (GRADO, TARGET, PESI, MEDIA_PESATA) funzionano solo in Excel per Windows: su Mac usare le formule native del foglio."
    Exit Function
#End If
    If TypeOf Application.Caller Is Range Then On Error GoTo failed
    TARGET = XLPy.CallUDF("cruscotto_xl.excel.udfs", "target", Array(testo), ActiveWorkbook, Application.Caller)
    Exit Function
failed:
    TARGET = Err.Description
End Function

Public Function PESI(intervallo)
#If Mac Then
    PESI = "Le funzioni del Cruscotto (GRADO, TARGET, PESI, MEDIA_PESATA) funzionano solo in Excel per Windows: su Mac usare le formule native del foglio."
    Exit Function
#End If
    If TypeOf Application.Caller Is Range Then On Error GoTo failed
    PESI = XLPy.CallUDF("cruscotto_xl.excel.udfs", "pesi", Array(intervallo), ActiveWorkbook, Application.Caller)
    Exit Function
failed:
    PESI = Err.Description
End Function

Public Function MEDIA_PESATA(intervallo_pesi, intervallo_gradi)
#If Mac Then
    MEDIA_PESATA = "Le funzioni del Cruscotto (GRADO, TARGET, PESI, MEDIA_PESATA) funzionano solo in Excel per Windows: su Mac usare le formule native del foglio."
    Exit Function
#End If
    If TypeOf Application.Caller Is Range Then On Error GoTo failed
    MEDIA_PESATA = XLPy.CallUDF("cruscotto_xl.excel.udfs", "media_pesata", Array(intervallo_pesi, intervallo_gradi), ActiveWorkbook, Application.Caller)
    Exit Function
failed:
    MEDIA_PESATA = Err.Description
End Function
