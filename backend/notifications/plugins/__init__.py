"""One folder per notification plugin: `notifications/plugins/<plugin_id>/__init__.py` with a
`__load_plugin__()` that returns the plugin instance. Folders named in NOTIFICATION_PLUGIN_DIRS
are searched after this one, under the same package name."""
