"""The commands: ``claimbench verify|controls|report|matrix|stability|diff|merge`` (``cli``), and what
they share: a run's pytest sessions, the project's ini keys, the interpreters of the matrix."""
