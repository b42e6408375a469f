"""Writing files the same way every time, below the steps that write them: workbooks and CSV
with formula-safe text, and stamps that make a re-run byte-identical."""
