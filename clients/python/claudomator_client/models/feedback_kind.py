from enum import StrEnum

class FeedbackKind(StrEnum):
    CHECKER_REPORT = "checker_report"
    REJECTION = "rejection"

    def __str__(self) -> str:
        return str(self.value)
