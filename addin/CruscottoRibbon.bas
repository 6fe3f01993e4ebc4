Attribute VB_Name = "CruscottoRibbon"
' Callbacks of the Cruscotto ribbon tab (customUI14.xml). Each button runs one Python
' macro of cruscotto_xl.xl.macros through xlwings' RunPython (module xlwings); Python
' acts on the active workbook (xw.Book.caller()), not on this add-in.
Option Explicit

Sub Ricalcola(control As IRibbonControl)
    If CartellaAttiva() Then RunPython "import cruscotto_xl.xl.macros as m; m.ricalcola()"
End Sub

Sub Valida(control As IRibbonControl)
    If CartellaAttiva() Then RunPython "import cruscotto_xl.xl.macros as m; m.valida()"
End Sub

Sub AggiornaRiepilogo(control As IRibbonControl)
    If CartellaAttiva() Then RunPython "import cruscotto_xl.xl.macros as m; m.aggiorna_riepilogo()"
End Sub

Sub Consolida(control As IRibbonControl)
    If CartellaAttiva() Then RunPython "import cruscotto_xl.xl.macros as m; m.consolida()"
End Sub

Sub NuovoAnno(control As IRibbonControl)
    If CartellaAttiva() Then RunPython "import cruscotto_xl.xl.macros as m; m.nuovo_anno()"
End Sub

' RunPython passes the active workbook's name to Python: without one there is nothing to do.
Private Function CartellaAttiva() As Boolean
    CartellaAttiva = Not ActiveWorkbook Is Nothing
    If Not CartellaAttiva Then MsgBox "Aprire prima una cartella del cruscotto.", vbInformation, "Cruscotto"
End Function
