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

' RunPython passes the active workbook's name to Python: without one there is nothing to do.
' xlwings reads its settings (the Python to start) first from a "cruscotto.conf" sheet of the
' active workbook, then from a cruscotto.conf file beside it: a workbook sent by someone else
' could so choose the program that runs. The add-in's build makes xlwings read only the
' user's own file; these workbooks are refused as well. The folder is checked with xlwings'
' own helpers (GetFullName: local disk, network share, synced OneDrive/SharePoint; a URL
' that is not synced gives ""), under On Error: a path VBA cannot read gives a message.
Private Function CartellaAttiva() As Boolean
    Dim ws As Object, conf As String
    CartellaAttiva = False
    If ActiveWorkbook Is Nothing Then
        MsgBox "Aprire prima una cartella del cruscotto.", vbInformation, "Cruscotto"
        Exit Function
    End If
    For Each ws In ActiveWorkbook.Worksheets
        If LCase(ws.Name) = "cruscotto.conf" Then
            MsgBox "La cartella attiva contiene un foglio cruscotto.conf che cambierebbe il " & _
                   "programma eseguito: eliminarlo e riprovare.", vbExclamation, "Cruscotto"
            Exit Function
        End If
    Next ws
    On Error GoTo percorso
    If Len(xlwings.GetFullName(ActiveWorkbook)) > 0 Then
        conf = xlwings.GetDirectoryConfigFilePath()
        If xlwings.FileExists(conf) Then
            MsgBox "Accanto alla cartella attiva c'" & ChrW(232) & " un file cruscotto.conf (" & conf & _
                   ") che cambierebbe il programma eseguito: spostarlo e riprovare.", vbExclamation, _
                   "Cruscotto"
            Exit Function
        End If
    End If
    On Error GoTo 0
    CartellaAttiva = True
    Exit Function
percorso:
    MsgBox "Impossibile controllare la cartella del file " & ChrW(171) & ActiveWorkbook.Name & ChrW(187) & _
           " (" & ActiveWorkbook.Path & "): " & Err.Description & " (errore " & Err.Number & "). " & _
           "Se il file " & ChrW(232) & " su OneDrive o SharePoint, aprirlo dalla cartella sincronizzata " & _
           "sul computer (Esplora file) e riprovare.", vbExclamation, "Cruscotto"
End Function
