"""What a failed message's notice and parked row say of its error: the words, never the
values it quotes (a notice on a `.dlq` topic is kept forever; the values were unsealed)."""

import pytest
from pavilion_core.dead_letters import described, error_text
from pydantic import BaseModel, ValidationError


class Contact(BaseModel):
    name: str
    age: int


def test_a_validation_error_names_the_fields_and_what_is_wrong_not_the_input():
    with pytest.raises(ValidationError) as caught:
        Contact.model_validate({"name": None, "age": "ada@example.test"})
    text = error_text(caught.value)
    assert "ada@example.test" not in text
    assert text.startswith("name: Input should be a valid string; age: Input should be")


def test_any_other_error_keeps_its_words_and_drops_what_it_quotes():
    error = ValueError("invalid input for query argument $2: 'Ada O\\'Hara' (expected str)")
    assert error_text(error) == "invalid input for query argument $2: '…' (expected str)"
    assert described(KeyError("email")) == "KeyError: '…'"
    assert described(RuntimeError('column "name" is null')) == (
        'RuntimeError: column "name" is null'
    )
