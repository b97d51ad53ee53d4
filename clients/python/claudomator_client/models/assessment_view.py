from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.clarity import Clarity
from typing import cast

if TYPE_CHECKING:
  from ..models.question_item import QuestionItem





T = TypeVar("T", bound="AssessmentView")



@_attrs_define
class AssessmentView:
    """ The rating of a draft.

        Attributes:
            clarity (Clarity): How clear a draft is.
            ready (bool): Whether it can run as it is (never with `blocking`).
            summary (str): One sentence.
            questions (list[QuestionItem]): Open questions.
            suggestions (list[str]): Improvements.
            generated_by (str): Which model rated it: `local`, `claude` or `gemini`.
     """

    clarity: Clarity
    ready: bool
    summary: str
    questions: list[QuestionItem]
    suggestions: list[str]
    generated_by: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.question_item import QuestionItem # noqa: PLC0415
        clarity = self.clarity.value

        ready = self.ready

        summary = self.summary

        questions = []
        for questions_item_data in self.questions:
            questions_item = questions_item_data.to_dict()
            questions.append(questions_item)



        suggestions = self.suggestions



        generated_by = self.generated_by


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "clarity": clarity,
            "ready": ready,
            "summary": summary,
            "questions": questions,
            "suggestions": suggestions,
            "generated_by": generated_by,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.question_item import QuestionItem # noqa: PLC0415
        d = dict(src_dict)
        clarity = Clarity(d.pop("clarity"))




        ready = d.pop("ready")

        summary = d.pop("summary")

        questions = []
        _questions = d.pop("questions")
        for questions_item_data in (_questions):
            questions_item = QuestionItem.from_dict(questions_item_data)



            questions.append(questions_item)


        suggestions = cast(list[str], d.pop("suggestions"))


        generated_by = d.pop("generated_by")

        assessment_view = cls(
            clarity=clarity,
            ready=ready,
            summary=summary,
            questions=questions,
            suggestions=suggestions,
            generated_by=generated_by,
        )


        assessment_view.additional_properties = d
        return assessment_view

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
