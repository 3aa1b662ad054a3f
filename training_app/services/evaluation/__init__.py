"""Evaluation after every course (SPEC 3.5): each course's form copied from the partnership default and edited by
coordinators (`evaluation_forms`), asking once on completion, reminding once, giving it once and the certificate it
may release (`evaluations`), and results per session, course and trainer (`evaluation_results`)."""
