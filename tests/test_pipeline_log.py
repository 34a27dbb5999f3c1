from __future__ import annotations

import base64

import pytest

from vending import pipeline_log

from .azdo import agent


@pytest.mark.parametrize("message", ["plain", "50% done", "two\nlines\r\n", "a;b]c", "%AZP25 literally", ""])
def test_messages_and_properties_survive_the_agents_unescaping(message: str) -> None:
    line = pipeline_log.log_issue("error", message, source=f"requests/{message}.yaml", line=3, column=7)
    assert "\n" not in line and "\r" not in line
    command = agent.parse(line)
    assert command is not None
    assert command.name == "task.logissue"
    assert command.properties == {"type": "error", "sourcepath": f"requests/{message}.yaml",
                                  "linenumber": "3", "columnnumber": "7"}
    assert command.message == message


def test_issue_without_a_location_has_only_a_type() -> None:
    assert pipeline_log.log_issue("warning", "deprecated") == "##vso[task.logissue type=warning]deprecated"


def test_output_variable() -> None:
    assert pipeline_log.set_output("valid", "true") == "##vso[task.setvariable variable=valid;isoutput=true]true"
    with pytest.raises(ValueError, match="not a variable name"):
        pipeline_log.set_output("a;b", "x")


def test_set_secret() -> None:
    assert pipeline_log.set_secret("s3cr;t") == "##vso[task.setsecret]s3cr;t"


def test_commands_inside_data_are_defused() -> None:
    hostile = "x ##vso[task.setvariable variable=PATH]/tmp/evil ##[error]fake ##VSO[task.complete]"
    defused = pipeline_log.neutralize(hostile)
    assert "##vso[" not in defused.lower() and "##[" not in defused
    assert agent.parse(defused) is None
    command = agent.parse(pipeline_log.log_issue("error", hostile))
    assert command is not None and command.name == "task.logissue"
    assert "##vso[" not in command.message


def test_secrets_from_the_environment_are_masked_in_every_encoding() -> None:
    env = {"AZURE_DEVOPS_EXT_PAT": "pat-value-1234", "SYSTEM_ACCESSTOKEN": "tok"}
    values = pipeline_log.secrets(env)
    basic = base64.b64encode(b":pat-value-1234").decode()
    assert "pat-value-1234" in values and basic in values
    assert "tok" not in values  # too short to mask without shredding messages
    text = f"Authorization: Basic {basic}; pat=pat-value-1234"
    assert pipeline_log.redact(text, values) == "Authorization: Basic ***; pat=***"


def test_in_pipeline() -> None:
    assert pipeline_log.in_pipeline({"TF_BUILD": "True"})
    assert not pipeline_log.in_pipeline({})
