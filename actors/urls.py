from django.urls import path  # noqa: F401

from .views import network, privacy, transfer  # noqa: F401

app_name = "actors"

# Screens of the network: lists, details, forms, circles, merge, picture.
urlpatterns = []

# Import and export.
urlpatterns += []

# Data protection: consent, data export, erasure, privacy log.
urlpatterns += []
