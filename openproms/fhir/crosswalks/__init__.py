"""Crosswalks: how a Questionnaire published elsewhere maps onto a measure in the
library, one JSON file each (read by :mod:`openproms.fhir.crosswalk`)."""
