# "Other python files in backend/notifications/plugins/{plugin_id}/ ... must be imported in the
# __init__.py. Otherwise they won't be loaded successfully."


def clean(value: str) -> str:
    return value.strip()
