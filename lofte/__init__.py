"""Löfte: the recurring cycles of a Swedish medborgarlöfte (citizen promise) as durable state
machines.

The repository keeps one folder per layer (`kernel/`, `definitions/`, `workflow/`, `storage/`,
`notifications/`, `web/`, `cli/`); this package maps them into one import name, `lofte`
(`lofte.kernel`, `lofte.definitions`, ...). In the repository each layer here is a relative
symbolic link to its folder; in the installed wheel they are ordinary packages.
"""
