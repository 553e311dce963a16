"""Developer scripts: catalogs, benchmark."""
