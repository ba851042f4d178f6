"""Reports rendered for people (files, pages): the QC report as CSV and as HTML with a chart."""
