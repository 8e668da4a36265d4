"""The pure domain: attrs and the standard library only. No I/O, no clock.

Every function takes the date it is about (the controlling date) as an argument.
"""
