Attribute VB_Name = "CruscottoRibbon"
' Callbacks of the Cruscotto ribbon tab (customUI14.xml). Each button runs one Python
' macro of cruscotto_xl.excel.macros through xlwings' RunPython (module xlwings); Python
' acts on the active workbook (xw.Book.caller()), not on this add-in.
Option Explicit

Sub Ricalcola(control As IRibbonControl)
    If CartellaAttiva() Then RunPython "import cruscotto_xl.excel.macros as m; m.ricalcola()"
End Sub

Sub Valida(control As IRibbonControl)
    If CartellaAttiva() Then RunPython "import cruscotto_xl.excel.macros as m; m.valida()"
End Sub

Sub AggiornaRiepilogo(control As IRibbonControl)
    If CartellaAttiva() Then RunPython "import cruscotto_xl.excel.macros as m; m.aggiorna_riepilogo()"
End Sub

Sub Consolida(control As IRibbonControl)
    If CartellaAttiva() Then RunPython "import cruscotto_xl.excel.macros as m; m.consolida()"
End Sub

Sub Firma(control As IRibbonControl)
    If CartellaAttiva() Then RunPython "import cruscotto_xl.excel.macros as m; m.firma()"
End Sub

Sub NuovoAnno(control As IRibbonControl)
    If CartellaAttiva() Then RunPython "import cruscotto_xl.excel.macros as m; m.nuovo_anno()"
End Sub

'' RunPython passes the active workbook's name to Python: without one there is nothing to do.
' xlwings reads its settings (the Python to start) first from a "cruscotto.conf" sheet of the
' active workbook, then from a cruscotto.conf file beside it: a workbook sent by someone else
' could so choose the program that runs. Such workbooks are refused.
Private Function CartellaAttiva() As Boolean
    CartellaAttiva = False
    If ActiveWorkbook Is Nothing Then
        MsgBox "Aprire prima una cartella del cruscotto.", vbInformation, "Cruscotto"
        Exit Function
    End If
    Dim ws As Object
    For Each ws In ActiveWorkbook.Worksheets
        If LCase(ws.Name) = "cruscotto.conf" Then
            MsgBox "La cartella attiva contiene un foglio cruscotto.conf che cambierebbe il " & _
                   "programma eseguito: eliminarlo e riprovare.", vbExclamation, "Cruscotto"
            Exit Function
        End If
    Next ws
    If Len(ActiveWorkbook.Path) > 0 Then
        If Len(Dir(ActiveWorkbook.Path & Application.PathSeparator & "cruscotto.conf")) > 0 Then
            MsgBox "Accanto alla cartella attiva c'" & ChrW(232) & " un file cruscotto.conf che " & _
                   "cambierebbe il programma eseguito: spostarlo e riprovare.", vbExclamation, _
                   "Cruscotto"
            Exit Function
        End If
    End If
    CartellaAttiva = True
End Function
