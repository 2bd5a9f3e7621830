"""Where generative AI lives in code: the detectors (data, in `genai.yaml`) that content triggers
and `micromoment scan` use, and the matching of them against a change's lines or a file's."""
