"""A local stand-in for Alexa: typed text -> intent and slots -> real request envelopes."""
