"""`python -m skill web`: a local page that behaves like an Echo Show running the skill.

What is typed (or said) goes through the text simulator's understanding into real
request envelopes, and taps are the APL UserEvents the screen documents send; the
answers come back from `lambda_handler` as they would to a device. The page draws its
screen from the datasource of the APL directive in each answer. Nothing here is
imported by the Lambda door.
"""
