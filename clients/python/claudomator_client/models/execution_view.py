from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
from uuid import UUID
import datetime

if TYPE_CHECKING:
  from ..models.changes_view import ChangesView
  from ..models.feedback_view import FeedbackView





T = TypeVar("T", bound="ExecutionView")



@_attrs_define
class ExecutionView:
    """ One attempt.

        Attributes:
            id (UUID): Id.
            attempt (int): Attempt number.
            worker_id (str): Worker that ran it.
            started_at (datetime.datetime): Start.
            feedback (list[FeedbackView]): The feedback on earlier attempts this attempt was given (in its prompt, or in
                `CLAUDOMATOR_FEEDBACK` for `exec`); empty for none.
            finished_at (datetime.datetime | Unset): End.
            exit_code (int | Unset): Exit code.
            outcome (str | Unset): `succeeded`, `failed`, `rate_limited`, `blocked`, `timed_out`, `budget_exceeded`,
                `cancelled`, `lease_expired` or `handed_back`; absent while running.
            error (str | Unset): Error.
            cost_usd (float | Unset): Cost in US dollars.
            tokens_in (int | Unset): Input tokens.
            tokens_out (int | Unset): Output tokens.
            summary (str | Unset): Summary.
            output (str | Unset): Captured output (capped).
            session_id (str | Unset): Agent session.
            changes (ChangesView | Unset): What an attempt changed in its git sandbox.
     """

    id: UUID
    attempt: int
    worker_id: str
    started_at: datetime.datetime
    feedback: list[FeedbackView]
    finished_at: datetime.datetime | Unset = UNSET
    exit_code: int | Unset = UNSET
    outcome: str | Unset = UNSET
    error: str | Unset = UNSET
    cost_usd: float | Unset = UNSET
    tokens_in: int | Unset = UNSET
    tokens_out: int | Unset = UNSET
    summary: str | Unset = UNSET
    output: str | Unset = UNSET
    session_id: str | Unset = UNSET
    changes: ChangesView | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.changes_view import ChangesView # noqa: PLC0415
        from ..models.feedback_view import FeedbackView # noqa: PLC0415
        id = str(self.id)

        attempt = self.attempt

        worker_id = self.worker_id

        started_at = self.started_at.isoformat()

        feedback = []
        for feedback_item_data in self.feedback:
            feedback_item = feedback_item_data.to_dict()
            feedback.append(feedback_item)



        finished_at: str | Unset = UNSET
        if not isinstance(self.finished_at, Unset):
            finished_at = self.finished_at.isoformat()

        exit_code = self.exit_code

        outcome = self.outcome

        error = self.error

        cost_usd = self.cost_usd

        tokens_in = self.tokens_in

        tokens_out = self.tokens_out

        summary = self.summary

        output = self.output

        session_id = self.session_id

        changes: dict[str, Any] | Unset = UNSET
        if not isinstance(self.changes, Unset):
            changes = self.changes.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "attempt": attempt,
            "worker_id": worker_id,
            "started_at": started_at,
            "feedback": feedback,
        })
        if finished_at is not UNSET:
            field_dict["finished_at"] = finished_at
        if exit_code is not UNSET:
            field_dict["exit_code"] = exit_code
        if outcome is not UNSET:
            field_dict["outcome"] = outcome
        if error is not UNSET:
            field_dict["error"] = error
        if cost_usd is not UNSET:
            field_dict["cost_usd"] = cost_usd
        if tokens_in is not UNSET:
            field_dict["tokens_in"] = tokens_in
        if tokens_out is not UNSET:
            field_dict["tokens_out"] = tokens_out
        if summary is not UNSET:
            field_dict["summary"] = summary
        if output is not UNSET:
            field_dict["output"] = output
        if session_id is not UNSET:
            field_dict["session_id"] = session_id
        if changes is not UNSET:
            field_dict["changes"] = changes

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.changes_view import ChangesView # noqa: PLC0415
        from ..models.feedback_view import FeedbackView # noqa: PLC0415
        d = dict(src_dict)
        id = UUID(d.pop("id"))




        attempt = d.pop("attempt")

        worker_id = d.pop("worker_id")

        started_at = datetime.datetime.fromisoformat(d.pop("started_at"))




        feedback = []
        _feedback = d.pop("feedback")
        for feedback_item_data in (_feedback):
            feedback_item = FeedbackView.from_dict(feedback_item_data)



            feedback.append(feedback_item)


        _finished_at = d.pop("finished_at", UNSET)
        finished_at: datetime.datetime | Unset
        if isinstance(_finished_at,  Unset):
            finished_at = UNSET
        else:
            finished_at = datetime.datetime.fromisoformat(_finished_at)




        exit_code = d.pop("exit_code", UNSET)

        outcome = d.pop("outcome", UNSET)

        error = d.pop("error", UNSET)

        cost_usd = d.pop("cost_usd", UNSET)

        tokens_in = d.pop("tokens_in", UNSET)

        tokens_out = d.pop("tokens_out", UNSET)

        summary = d.pop("summary", UNSET)

        output = d.pop("output", UNSET)

        session_id = d.pop("session_id", UNSET)

        _changes = d.pop("changes", UNSET)
        changes: ChangesView | Unset
        if isinstance(_changes,  Unset):
            changes = UNSET
        else:
            changes = ChangesView.from_dict(_changes)




        execution_view = cls(
            id=id,
            attempt=attempt,
            worker_id=worker_id,
            started_at=started_at,
            feedback=feedback,
            finished_at=finished_at,
            exit_code=exit_code,
            outcome=outcome,
            error=error,
            cost_usd=cost_usd,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            summary=summary,
            output=output,
            session_id=session_id,
            changes=changes,
        )


        execution_view.additional_properties = d
        return execution_view

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
