"""happyfox-sync: keep a warehouse copy of a HappyFox helpdesk.

The distribution installs this package and its source under one name of their own,
so a user's dlt project with its own ``sources`` or ``pipelines`` package can use them::

    from happyfox_sync.source import happyfox_source
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("happyfox-sync")
except PackageNotFoundError:  # a checkout used without installing
    __version__ = "0+unknown"
