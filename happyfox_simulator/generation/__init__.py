"""Building blocks of the seeded helpdesk generator (see :mod:`happyfox_simulator.generator`).

* :mod:`.text`: names, subjects, message bodies, attachment names: the words.
* :mod:`.reference`: the account's reference lists (categories, statuses, staff...).
* :mod:`.people`: contacts and contact groups.
* :mod:`.tickets`: the ticket histories.
"""
