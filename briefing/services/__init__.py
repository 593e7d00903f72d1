"""The service layer: one module per use case. Routes, CLI commands and job handlers call these;
they never run a workflow themselves."""
