"""What we ask the model and how we check it: fields, candidates, prompts, verification."""
