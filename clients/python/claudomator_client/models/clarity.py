from enum import StrEnum

class Clarity(StrEnum):
    BLOCKING = "blocking"
    CLEAR = "clear"
    WARNING = "warning"

    def __str__(self) -> str:
        return str(self.value)
