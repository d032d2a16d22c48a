"""CloudTrail's LookupEvents errors, one class per code of the model. AWS's exact texts
for these are unconfirmed."""

from __future__ import annotations

from typing import Self

from credmint import errors


class InvalidLookupAttributes(errors.AwsError):
    code = "InvalidLookupAttributesException"
    status = 400

    @classmethod
    def constraint(cls, failure: str) -> Self:
        """A model constraint failure, in the Query validator's words."""
        return cls(failure)

    @classmethod
    def more_than_one(cls) -> Self:
        return cls("You can specify at most one lookup attribute.")

    @classmethod
    def incomplete(cls) -> Self:
        return cls("A lookup attribute needs a key and a value.")

    @classmethod
    def read_only(cls) -> Self:
        return cls("ReadOnly must be true or false.")


class InvalidMaxResults(errors.AwsError):
    code = "InvalidMaxResultsException"
    status = 400

    def __init__(self) -> None:
        super().__init__("Value for MaxResults must be between 1 and 50.")


class InvalidTimeRange(errors.AwsError):
    code = "InvalidTimeRangeException"
    status = 400

    def __init__(self) -> None:
        super().__init__("StartTime must be before EndTime.")


class InvalidNextToken(errors.AwsError):
    code = "InvalidNextTokenException"
    status = 400

    def __init__(self) -> None:
        super().__init__("Invalid NextToken.")


class InvalidEventCategory(errors.AwsError):
    code = "InvalidEventCategoryException"
    status = 400

    def __init__(self) -> None:
        super().__init__("Invalid EventCategory.")
