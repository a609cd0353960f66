"""CDO summary reports (PDF and Excel), built on the services."""
