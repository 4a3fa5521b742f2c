"""openproms: patient-reported outcome measures for charities and GP practices."""

__version__ = "0.1.0"
