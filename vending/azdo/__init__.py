"""Azure DevOps: the pipeline template, its parameters, the agent's logging commands, the Runs API."""
