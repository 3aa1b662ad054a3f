"""Web pages, one blueprint per feature, and what every page template shares."""

from flask import Flask


def register_web(app: Flask) -> None:
    """Attach every web blueprint, the template filters and the navigation."""
    from .accounts.routes import bp as accounts_bp
    from .admin.routes import bp as admin_bp
    from .audit_log.routes import bp as audit_log_bp
    from .auth.routes import bp as auth_bp
    from .awareness.routes import bp as awareness_bp
    from .bookings.charges import bp as charges_bp
    from .bookings.needs import bp as booking_needs_bp
    from .bookings.offers import bp as booking_offers_bp
    from .bookings.requests import bp as booking_requests_bp
    from .bookings.routes import bp as bookings_bp
    from .bookings.waiting import bp as waiting_list_bp
    from .claims import deadlines as _claim_deadlines  # noqa: F401 (adds the fund, school and extension views)
    from .claims import submission as _claim_submission  # noqa: F401 (adds check your answers and the submission)
    from .claims.routes import bp as claims_bp
    from .courses import interest as _course_interest  # noqa: F401 (adds the course page and interest to courses_bp)
    from .courses.pathways import bp as pathways_bp
    from .courses.practitioner import bp as practitioner_pathway_bp
    from .courses.routes import bp as courses_bp
    from .courses.venues import bp as venues_bp
    from .evaluation.routes import bp as evaluation_bp
    from .filters import register_filters
    from .fragments import register_fragments
    from .imports.routes import bp as imports_bp
    from .main.routes import bp as main_bp
    from .navigation import register_navigation
    from .reference.routes import bp as reference_bp
    from .registers.records import bp as records_bp
    from .registers.routes import bp as registers_bp
    from .reminders.routes import bp as reminders_bp
    from .report_emails.routes import bp as report_emails_bp
    from .report_emails.routes import register_report_email_choices
    from .reports.routes import bp as reports_bp
    from .sessions import editing as _session_editing  # noqa: F401 (adds the scheduling views to sessions_bp)
    from .sessions import messages as _session_messages  # noqa: F401 (adds the message view to sessions_bp)
    from .sessions import trainers as _session_trainers  # noqa: F401 (adds the trainer and feed views to sessions_bp)
    from .sessions.routes import bp as sessions_bp
    from .sessions.routes import feeds as calendar_feeds_bp
    from .staff.routes import bp as staff_bp
    from .targets.routes import bp as targets_bp
    from .webhooks.routes import bp as webhooks_bp

    register_filters(app)
    register_navigation(app)
    register_fragments(app)
    register_report_email_choices(app)
    app.register_blueprint(auth_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(webhooks_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(audit_log_bp)
    app.register_blueprint(reference_bp)
    app.register_blueprint(awareness_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(sessions_bp)
    app.register_blueprint(bookings_bp)
    app.register_blueprint(booking_requests_bp)
    app.register_blueprint(booking_needs_bp)
    app.register_blueprint(waiting_list_bp)
    app.register_blueprint(booking_offers_bp)
    app.register_blueprint(charges_bp)
    app.register_blueprint(claims_bp)
    app.register_blueprint(calendar_feeds_bp)
    app.register_blueprint(courses_bp)
    app.register_blueprint(venues_bp)
    app.register_blueprint(pathways_bp)
    app.register_blueprint(practitioner_pathway_bp)
    app.register_blueprint(registers_bp)
    app.register_blueprint(records_bp)
    app.register_blueprint(evaluation_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(reminders_bp)
    app.register_blueprint(targets_bp)
    app.register_blueprint(report_emails_bp)
