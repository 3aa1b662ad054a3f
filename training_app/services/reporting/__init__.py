"""What boards are told (SPEC 3.9, 4.4): counting by exact set of authorities, grouping in one pass, the workbook's
rows, people lists, coverage, attendance counts, plots, the refresher outlook and each role's dashboard."""
