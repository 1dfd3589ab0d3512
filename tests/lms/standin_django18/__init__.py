"""
Django 1.8 as a Ginkgo-era LMS shows it, where the toolkit can see it (contract §9):
its `shell` command (no -c; stdin runs line by line as an interactive session) and the
RemovedInDjango19Warning lines every start prints on stderr. Stand-in only; installed
first by the `ginkgo` settings so its `shell` replaces Django 5.2's.
"""
