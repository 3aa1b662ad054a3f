"""The reports pages: the trained-by-area table, its chart and its workbook."""
