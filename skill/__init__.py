"""Recovery Coach: an Alexa skill that talks a sore runner through eight recovery steps."""
