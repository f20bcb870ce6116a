"""Reading the files offices export (CSV, TSV, XLSX; any of their encodings) into rows."""
