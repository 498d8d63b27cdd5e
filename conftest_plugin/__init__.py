"""The fake-dataverse pytest plugin (entry point ``fake_dataverse``)."""
