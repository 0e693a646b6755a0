"""Countries, the programme with its target and dates, and each country's allocation."""
from datetime import date
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db


class Country(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(2), unique=True)  # ISO 3166-1 alpha-2
    name: Mapped[str] = mapped_column(String(80), unique=True)
    name_zh: Mapped[str] = mapped_column(String(40), default="")

    __table_args__ = (CheckConstraint("length(code) = 2", name="code_two_letters"),)

    def __repr__(self) -> str:
        return f"<Country {self.code}>"


class Programme(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    title_zh: Mapped[str] = mapped_column(String(100), default="")
    target: Mapped[int]
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    # The ASEAN Qualifications Reference Framework level its courses align to (1-8), if the programme sets one.
    aqrf_level: Mapped[Optional[int]]

    allocations: Mapped[list["CountryAllocation"]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="CountryAllocation.country_id"
    )

    __table_args__ = (
        CheckConstraint("target > 0", name="target_positive"),
        CheckConstraint("ends_on > starts_on", name="ends_after_start"),
        CheckConstraint("aqrf_level BETWEEN 1 AND 8", name="aqrf_level_range"),
    )

    def __repr__(self) -> str:
        return f"<Programme {self.title!r} target={self.target}>"

    @property
    def allocated(self) -> int:
        return sum(allocation.allocation for allocation in self.allocations)

    def allocation_for(self, country: Country) -> int:
        for allocation in self.allocations:
            if allocation.country_id == country.id:
                return allocation.allocation
        return 0

    def year_of(self, day: date) -> int:
        """The programme year (1-based) a day falls in; year 1 starts on starts_on."""
        years = day.year - self.starts_on.year
        if (day.month, day.day) < (self.starts_on.month, self.starts_on.day):
            years -= 1
        return years + 1


class CountryAllocation(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    country_id: Mapped[int] = mapped_column(ForeignKey("country.id", ondelete="RESTRICT"))
    allocation: Mapped[int]

    programme: Mapped[Programme] = relationship(back_populates="allocations")
    country: Mapped[Country] = relationship()

    __table_args__ = (
        UniqueConstraint("programme_id", "country_id"),
        CheckConstraint("allocation >= 0", name="allocation_not_negative"),
    )

    def __repr__(self) -> str:
        return f"<CountryAllocation country={self.country_id} {self.allocation}>"
