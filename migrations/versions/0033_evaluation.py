"""Evaluation (SPEC 3.5): the partnership's default form and each course's copy (`evaluation_questions`), each
completed booking's evaluation (`evaluations`, asked, reminded and given once) and its answers, and the course's
`certificate_after_evaluation`. The default form is inserted here: three ratings, a yes/no and a comment.

Revision ID: 0033
Revises: 0029
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0029"
branch_labels = None
depends_on = None

DEFAULT_FORM = [
    ("How useful was the course to your work?", "rating", True),
    ("How well did the trainer explain the material?", "rating", True),
    ("How confident do you feel using what you learned?", "rating", True),
    ("Would you recommend the course to a colleague?", "yes_no", True),
    ("Anything else you would like to tell us about the course?", "text", False),
]


def upgrade():
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("certificate_after_evaluation", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    questions = op.create_table(
        "evaluation_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("rating", "yes_no", "text", name="question_kind", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_evaluation_questions_course_id_courses"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_questions")),
    )
    op.create_index("ix_evaluation_questions_course_position", "evaluation_questions", ["course_id", "position"])
    op.create_table(
        "evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
        sa.Column("reminded_at", sa.DateTime(), nullable=True),
        sa.Column("given_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_evaluations_booking_id_bookings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluations")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_evaluations_booking_id")),
    )
    op.create_index(op.f("ix_evaluations_given_at"), "evaluations", ["given_at"])
    op.create_table(
        "evaluation_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("yes", sa.Boolean(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "rating IS NULL OR (rating >= 1 AND rating <= 5)", name=op.f("ck_evaluation_answers_rating_1_to_5")
        ),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["evaluations.id"],
            name=op.f("fk_evaluation_answers_evaluation_id_evaluations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["evaluation_questions.id"],
            name=op.f("fk_evaluation_answers_question_id_evaluation_questions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_answers")),
        sa.UniqueConstraint(
            "evaluation_id", "question_id", name=op.f("uq_evaluation_answers_evaluation_id_question_id")
        ),
    )
    op.create_index("ix_evaluation_answers_question", "evaluation_answers", ["question_id"])
    op.bulk_insert(
        questions,
        [
            {"course_id": None, "position": n, "text": text, "kind": kind, "required": required}
            for n, (text, kind, required) in enumerate(DEFAULT_FORM, start=1)
        ],
    )


def downgrade():
    op.drop_index("ix_evaluation_answers_question", table_name="evaluation_answers")
    op.drop_table("evaluation_answers")
    op.drop_index(op.f("ix_evaluations_given_at"), table_name="evaluations")
    op.drop_table("evaluations")
    op.drop_index("ix_evaluation_questions_course_position", table_name="evaluation_questions")
    op.drop_table("evaluation_questions")
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_column("certificate_after_evaluation")
