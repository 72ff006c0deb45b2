"""Views of the network, one module per area: ``network`` (screens), ``transfer``
(import and export), ``privacy`` (data protection)."""
