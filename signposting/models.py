"""The service directory on Open Referral UK 3.0.

Each service is kept as the ORUK document it arrived as (validated against the official schema), so it
serialises straight back to ORUK JSON; what search needs is lifted into typed, indexed columns beside it,
and the objects that services share or that search joins on (organizations, locations, taxonomy terms
and the attribute links to them) have tables of their own. Every id is the record's ORUK UUID.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.db import Base, utcnow

UUID = String(36)


class Taxonomy(Base):
    __tablename__ = "taxonomies"

    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    record: Mapped[dict[str, Any]] = mapped_column(JSON)


class TaxonomyTerm(Base):
    __tablename__ = "taxonomy_terms"

    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    taxonomy_id: Mapped[str | None] = mapped_column(ForeignKey("taxonomies.id"), index=True)
    parent_id: Mapped[str | None] = mapped_column(UUID, index=True)
    name: Mapped[str] = mapped_column(String(200))
    record: Mapped[dict[str, Any]] = mapped_column(JSON)


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    record: Mapped[dict[str, Any]] = mapped_column(JSON)


class Service(Base):
    __tablename__ = "services"

    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    organization_id: Mapped[str | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    search_text: Mapped[str] = mapped_column(Text)  # name and description, case-folded
    status: Mapped[str] = mapped_column(String(20), default="active")
    minimum_age: Mapped[int | None]
    maximum_age: Mapped[int | None]
    is_free: Mapped[bool] = mapped_column(default=False)
    in_person: Mapped[bool] = mapped_column(default=False)
    remote: Mapped[bool] = mapped_column(default=False)  # by phone or online
    open_days: Mapped[list[str]] = mapped_column(JSON, default=list)  # MO..SU
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    accessibility: Mapped[list[str]] = mapped_column(JSON, default=list)  # keywords from the locations
    last_modified: Mapped[dt.datetime | None]
    assured_date: Mapped[dt.date | None]
    temporarily_closed: Mapped[bool] = mapped_column(default=False)
    stale: Mapped[bool] = mapped_column(default=False)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)  # the ORUK service, without its locations
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    organization: Mapped[Organization | None] = relationship()
    at_locations: Mapped[list[ServiceAtLocation]] = relationship(back_populates="service",
                                                                 cascade="all, delete-orphan")
    attributes: Mapped[list[Attribute]] = relationship(back_populates="service", cascade="all, delete-orphan")

    # Phone and online services are listed apart; this keeps that list from scanning every service.
    __table_args__ = (Index("ix_services_remote_only", "name", sqlite_where=text("remote IS 1 AND in_person IS 0"),
                            postgresql_where=text("remote IS TRUE AND in_person IS FALSE")),)


class Location(Base):
    __tablename__ = "locations"

    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    postcode: Mapped[str | None] = mapped_column(String(10))
    sensitive: Mapped[bool] = mapped_column(default=False)  # a refuge: never show the address
    record: Mapped[dict[str, Any]] = mapped_column(JSON)  # the ORUK location with addresses, accessibility

    __table_args__ = (Index("ix_locations_coordinates", "latitude", "longitude"),)


class ServiceAtLocation(Base):
    __tablename__ = "service_at_locations"

    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"), index=True)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)

    service: Mapped[Service] = relationship(back_populates="at_locations")
    location: Mapped[Location] = relationship()


class Attribute(Base):
    """ORUK's link from a service to a taxonomy term: how a service is put in a category."""

    __tablename__ = "attributes"

    id: Mapped[str] = mapped_column(UUID, primary_key=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), index=True)
    taxonomy_term_id: Mapped[str] = mapped_column(ForeignKey("taxonomy_terms.id"), index=True)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)

    service: Mapped[Service] = relationship(back_populates="attributes")

    # The category filter probes "does this service carry one of these terms?" per candidate service.
    __table_args__ = (Index("ix_attributes_service_term", "service_id", "taxonomy_term_id"),)
