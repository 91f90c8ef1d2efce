from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from dashboards.metrics import group_of
from surveys.models import Campaign, Channel, Contact, CsvUpload, Invitation


class Answer(models.Model):
    """A customer's 0–10 score and comment. One per invitation: a changed score replaces the old one."""

    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, related_name="answer", null=True, blank=True
    )
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="answers")
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, related_name="answers", null=True, blank=True
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    language = models.CharField(max_length=10, blank=True)
    answered_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Phone interviews: who recorded the answer and their notes.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(blank=True)
    # Recorded by the answer page's automatic request in a way that looks like a link scanner running
    # JavaScript (seconds after delivery, or several score links in a row); a customer's own action clears it.
    suspected_scanner = models.BooleanField(default=False)
    # History imports: where the answer came from ("delighted:<response id>" or "csv:<hash>"), so that
    # importing the same file twice adds nothing.
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    tags = models.ManyToManyField("Tag", through="AnswerTag", related_name="answers", blank=True)

    class Meta:
        ordering = ["-answered_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__lte=10), name="answer_score_0_10"),
        ]
        indexes = [
            # Dashboard trend and headline: answers of one campaign in a date range.
            models.Index(fields=["campaign", "answered_at"], name="answer_campaign_time"),
            # Dashboard over all campaigns in a date range.
            models.Index(fields=["answered_at"], name="answer_time"),
            # Dashboard rollup refresh: answers written or changed since its watermark.
            models.Index(fields=["updated_at"], name="answer_updated"),
            # A contact's answers in time order: their history, the at-risk check, the re-survey outcome.
            models.Index(fields=["contact", "answered_at"], name="answer_contact_time"),
        ]

    def __str__(self):
        return f"{self.score} on {self.campaign}"

    @property
    def group(self) -> str:
        return group_of(self.score)


class AnswerRevision(models.Model):
    """A score an answer had before it was changed, with the comment written for it (docs/answer-links.md).

    One row per change of score: `score` and `comment` are what the answer said until `changed_at`, when
    `source` set it to `new_score`. The current score and comment stay on the answer itself.
    """

    class Source(models.TextChoices):
        LINK = "link", "Score link in the message"
        PAGE = "page", "Answer page"
        API = "api", "API"
        TEXT = "text", "Text reply"
        WIDGET = "widget", "On-site widget"
        KIOSK = "kiosk", "Kiosk"
        PHONE = "phone", "Phone interview"

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="revisions")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    new_score = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=6, choices=Source.choices)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__lte=10, new_score__lte=10), name="answer_revision_score_0_10"
            ),
        ]
        # The answer's history on its permalink and the answer page's "you wrote this with a 9".
        indexes = [models.Index(fields=["answer", "changed_at"], name="answer_revision_time")]

    def __str__(self):
        return f"{self.score} → {self.new_score} on answer {self.answer_id}"

    @property
    def group(self) -> str:
        return group_of(self.score)


class ResponseImport(CsvUpload):
    """One CSV upload of past answers (a Delighted export or any CSV; responses.history_import)."""

    is_delighted = models.BooleanField(
        default=False, help_text="The columns are those of a Delighted export."
    )
    # The answers join this brand's "Imported history" campaign.
    brand = models.ForeignKey("surveys.Brand", on_delete=models.CASCADE, related_name="+")
    contacts_created = models.PositiveIntegerField(default=0)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("responses:import_detail", args=[self.pk])


# ---------------------------------------------------------------------------------------------------------
# Closing the loop (responses/cases/, responses/alerts/; docs/follow-up.md)


class Tag(models.Model):
    """A label on answers (and so on their cases), like Delighted's tags: "billing", "callback-done"."""

    name = models.CharField(max_length=50)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="tag_name_ci_unique")]

    def __str__(self):
        return self.name


class AnswerTag(models.Model):
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="answer_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="answer_tags")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["answer", "tag"], name="answer_tag_unique")]

    def __str__(self):
        return f"tag {self.tag_id} on answer {self.answer_id}"


class FollowUpSettings(models.Model):
    """The workspace's follow-up targets and at-risk thresholds: one row (pk 1), `FollowUpSettings.get()`."""

    detractor_due_hours = models.PositiveIntegerField(default=48, validators=[MaxValueValidator(24 * 365)])
    passive_due_hours = models.PositiveIntegerField(default=72, validators=[MaxValueValidator(24 * 365)])
    promoter_due_hours = models.PositiveIntegerField(default=120, validators=[MaxValueValidator(24 * 365)])
    # At risk: the score fell by at least this many points from the contact's previous answer…
    at_risk_drop = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    # …or this many detractor answers in a row.
    at_risk_streak = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(2), MaxValueValidator(10)]
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return "Follow-up settings"

    @classmethod
    def get(cls) -> "FollowUpSettings":
        return cls.objects.get_or_create(pk=1)[0]

    def due_hours(self, group: str) -> int:
        return {"detractor": self.detractor_due_hours, "passive": self.passive_due_hours}.get(
            group, self.promoter_due_hours
        )


class CaseRule(models.Model):
    """Which answers open a case. Conditions: responses/cases/rules.py (`Conditions`)."""

    name = models.CharField(max_length=100)
    enabled = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)  # the first matching rule opens the case
    conditions = models.JSONField(default=dict, blank=True)
    priority = models.CharField(max_length=8, default="normal")  # Case.Priority of the cases it opens
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name


class AssignmentRule(models.Model):
    """Who owns a new case: the first rule whose property matches (empty property: every case); one owner,
    or several taken in turn (round robin). No rule matches: the case waits in the unassigned queue."""

    position = models.PositiveIntegerField(default=0)
    property = models.CharField(max_length=100, blank=True)
    value = models.CharField(max_length=200, blank=True)
    owners = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    # Round robin: the owner who got the last case of this rule.
    last_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self.property or 'every case'} = {self.value}" if self.property else "every case"


class Case(models.Model):
    """The follow-up of one answer: who owns it, where it stands, when it is due (responses/cases/)."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_PROGRESS = "in_progress", "In progress"
        WAITING = "waiting", "Waiting for customer"
        RESOLVED = "resolved", "Resolved"
        WONT_FIX = "wont_fix", "Won't fix"

    OPEN = (Status.NEW, Status.IN_PROGRESS, Status.WAITING)
    CLOSED = (Status.RESOLVED, Status.WONT_FIX)

    class Priority(models.TextChoices):
        LOW = "low", "Low"
        NORMAL = "normal", "Normal"
        HIGH = "high", "High"
        URGENT = "urgent", "Urgent"

    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="case")
    # Copied from the answer for the inbox's filters and the loop's figures (kept in step by the services).
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="cases")
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    score = models.PositiveSmallIntegerField()
    group = models.CharField(max_length=9)  # detractor / passive / promoter, of `score`
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    rule = models.ForeignKey(CaseRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases")
    opened_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    # The first reply to the customer (email or text) or the first status beyond "new" set by a person.
    first_response_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # When "case overdue" alerts were raised for it (once per due time).
    overdue_alerted_at = models.DateTimeField(null=True, blank=True)
    # The re-survey: the contact's next answer after this case opened (responses.cases.services
    # .note_answered_again), so the loop's outcome reads the case table alone (dashboards/followup.py).
    next_score = models.PositiveSmallIntegerField(null=True, blank=True)
    next_answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__lte=10), name="case_score_0_10"),
            models.CheckConstraint(
                condition=models.Q(status__in=["new", "in_progress", "waiting", "resolved", "wont_fix"]),
                name="case_status_known",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="case_status_due"),
            models.Index(fields=["owner", "status"], name="case_owner_status"),
            models.Index(fields=["opened_at"], name="case_opened"),
        ]

    def __str__(self):
        return f"Case {self.pk}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("responses:case_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at is not None and self.due_at <= timezone.now()


class CaseMessage(models.Model):
    """A reply on a case: to the customer (email, SMS, WhatsApp) or from them (an email or a text)."""

    class Direction(models.TextChoices):
        OUT = "out", "To the customer"
        IN = "in", "From the customer"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        RECEIVED = "received", "Received"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_address = models.CharField(max_length=254, blank=True)
    from_address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    # Email: our Message-ID (out) or the customer's (in, unique: a webhook delivered twice adds nothing).
    message_id = models.CharField(max_length=300, null=True, blank=True, unique=True)
    in_reply_to = models.CharField(max_length=300, blank=True)
    # Texts: the TextMessage row of the texting outbox (out) or of the inbound webhook (in).
    text_message = models.OneToOneField(
        "surveys.TextMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="case_message"
    )
    state = models.CharField(max_length=8, choices=State.choices)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["state", "created_at"], name="case_message_state")]

    def __str__(self):
        return f"{self.get_direction_display()} by {self.channel} on case {self.case_id}"


class CaseEvent(models.Model):
    """One line of a case's timeline: what happened, who did it (None: the customer or OpenNPS), when."""

    class Kind(models.TextChoices):
        OPENED = "opened", "Opened"
        SCORE = "score", "Score changed"
        COMMENT = "comment", "Comment changed"
        ANSWERED_AGAIN = "answered", "Answered again"
        NOTE = "note", "Note"
        REPLY_OUT = "reply_out", "Reply sent"
        REPLY_IN = "reply_in", "Customer replied"
        STATUS = "status", "Status changed"
        OWNER = "owner", "Owner changed"
        PRIORITY = "priority", "Priority changed"
        TAGS = "tags", "Tags changed"
        DUE = "due", "Due time changed"
        OVERDUE = "overdue", "Overdue"
        ALERT = "alert", "Alert sent"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(blank=True)  # a note's text; a reply's body is on its message
    data = models.JSONField(default=dict, blank=True)  # {"from": .., "to": ..} for changes
    message = models.ForeignKey(
        CaseMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "created_at"], name="case_event_time")]

    def __str__(self):
        return f"{self.get_kind_display()} on case {self.case_id}"


class AlertRule(models.Model):
    """Tell people when an answer (or an overdue case) matches: to Slack, Teams or by email."""

    class Trigger(models.TextChoices):
        ANSWER = "answer", "An answer matches"
        CASE_OVERDUE = "case_overdue", "A case is overdue"

    class Destination(models.TextChoices):
        SLACK = "slack", "Slack"
        TEAMS = "teams", "Microsoft Teams"
        EMAIL = "email", "Email"

    name = models.CharField(max_length=100)
    enabled = models.BooleanField(default=True)
    trigger = models.CharField(max_length=12, choices=Trigger.choices, default=Trigger.ANSWER)
    conditions = models.JSONField(default=dict, blank=True)  # as CaseRule.conditions
    destination = models.CharField(max_length=5, choices=Destination.choices)
    url = models.URLField(max_length=500, blank=True)  # Slack and Teams: the incoming webhook's URL
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="alert_rules")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Rate limit per destination: nothing is posted before this moment (responses/alerts/sending.py).
    next_send_at = models.DateTimeField(null=True, blank=True)
    # The destination's last reply ("200 ok", "404 no_service"), shown on the rules page.
    last_result = models.CharField(max_length=300, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class Alert(models.Model):
    """One event for one rule: unique, so it is told once; a message may carry many (a summary)."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"  # gave up after the last retry

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="alerts")
    key = models.CharField(max_length=100)  # "answer:<id>" or "case:<id>:overdue:<due timestamp>"
    answer = models.ForeignKey(Answer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    batch_size = models.PositiveIntegerField(default=0)  # how many alerts the message that carried it told
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "key"], name="alert_rule_key_unique")]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="alert_due")]

    def __str__(self):
        return f"{self.key} for rule {self.rule_id}"


class AlertPreference(models.Model):
    """What one person is emailed about, besides the email alert rules they are a recipient of."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_preference"
    )
    case_assigned = models.BooleanField(default=True)  # a case was assigned to me
    case_reply = models.BooleanField(default=True)  # a customer replied on my case
    case_overdue = models.BooleanField(default=True)  # my case is overdue

    def __str__(self):
        return f"alert emails of user {self.user_id}"

    @classmethod
    def of(cls, user) -> "AlertPreference":
        return cls.objects.get_or_create(user=user)[0]


# ---------------------------------------------------------------------------------------------------------
# Comment themes (responses/themes/; docs/themes.md)


class Theme(models.Model):
    """What comments talk about: discovered by a learn run (automatic) or defined by words (rule).

    A person's edits live on the row and survive re-learning: a re-learned topic that matches this theme's
    `terms` keeps its id, so its name, hidden, pinned and merge stay.
    """

    class Kind(models.TextChoices):
        AUTO = "auto", "Discovered"
        RULE = "rule", "Rule"

    kind = models.CharField(max_length=4, choices=Kind.choices, default=Kind.AUTO)
    # Set by a person (rename); blank: the automatic label is shown.
    name = models.CharField(max_length=80, blank=True)
    # The automatic label: the top key phrases, written by each learn run.
    label = models.CharField(max_length=200, blank=True)
    # {"en": ["late delivery", "courier"], "hi": ["देर से डिलीवरी"]}: key phrases per language group.
    key_phrases = models.JSONField(default=dict, blank=True)
    # {"en": {"delivery": 0.41, "late": 0.33, ...}, ...}: a learned topic's top terms and weights per
    # language group; the next learn run matches its topics to themes by these.
    terms = models.JSONField(default=dict, blank=True)
    # Rule themes and split-offs: {"en": ["refund", "money back"], "hi": ["रिफंड"]}; a comment with any
    # of these words or phrases (whole words, any case) has the theme.
    rule_terms = models.JSONField(default=dict, blank=True)
    # Split off: a theme made of the comments of `parent` that use its rule_terms (they leave the parent).
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="split_offs"
    )
    # Merged into another theme: its comments count there; a re-learned topic matching it goes there too.
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged"
    )
    hidden = models.BooleanField(default=False)
    pinned = models.BooleanField(default=False)
    # A discovered theme that the last learn run no longer found (kept while anyone edited or tagged it).
    retired = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-pinned", "name", "label", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("id")), name="theme_not_merged_into_itself"
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or self.label or f"Theme {self.pk}"

    @property
    def is_active(self) -> bool:
        """Shown on dashboards and assigned to comments."""
        return not (self.hidden or self.retired or self.merged_into_id)


class AnswerTheme(models.Model):
    """A theme on one answer's comment, and who put it there."""

    class Source(models.TextChoices):
        AUTO = "auto", "Discovered"  # the learned topic model
        RULE = "rule", "Rule"  # the theme's words
        LEARNED = "learned", "Suggested"  # the classifier trained on hand tags
        HAND = "hand", "Tagged by hand"
        REMOVED = "removed", "Removed by hand"  # never assigned again automatically; not counted

    # No index of their own: the unique (answer, theme) and answer_theme_by_theme (theme, answer) serve both.
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="theme_links", db_index=False)
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="answer_links", db_index=False)
    source = models.CharField(max_length=7, choices=Source.choices)
    weight = models.FloatField(default=1.0)
    tagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["answer", "theme"], name="answer_theme_unique")]
        # The dashboard's theme filter and counts: the answers of one theme.
        indexes = [models.Index(fields=["theme", "answer"], name="answer_theme_by_theme")]

    def __str__(self):
        return f"theme {self.theme_id} on answer {self.answer_id} ({self.source})"


# Sources that count: a theme an answer has.
COUNTED_THEME_SOURCES = (
    AnswerTheme.Source.AUTO,
    AnswerTheme.Source.RULE,
    AnswerTheme.Source.LEARNED,
    AnswerTheme.Source.HAND,
)


class CommentAnalysis(models.Model):
    """One answer's comment as the theme assigner last read it: its language and when."""

    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, primary_key=True, related_name="analysis")
    # A language group of responses.themes.text: "en", "hi", "hi-Latn" (Hinglish), "ta", "bn", "es", "ar"…
    language = models.CharField(max_length=12, blank=True)
    analysed_at = models.DateTimeField(default=timezone.now)
    run = models.ForeignKey("ThemeRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    def __str__(self):
        return f"answer {self.answer_id}: {self.language}"


class ThemeRun(models.Model):
    """A full learn of the themes (a Celery task with a progress bar); the last finished one holds the model
    that new comments are assigned with."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    state = models.CharField(max_length=7, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    step = models.CharField(max_length=200, blank=True)  # what it is doing now, for the progress bar
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    comments = models.PositiveIntegerField(default=0)
    themes = models.PositiveIntegerField(default=0)
    # {"en": 1234, "hi": 200, ...}: comments per language group.
    languages = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    # The learned model (numpy arrays in an .npz, no pickle): per language group the vocabulary, the idf
    # weights, the topic components and which theme each topic went to.
    model = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # At most one run at a time.
            models.UniqueConstraint(
                fields=["state"],
                condition=models.Q(state__in=["queued", "running"]),
                name="themerun_one_active",
            ),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="themerun_progress_0_100"),
        ]

    def __str__(self):
        return f"Theme run {self.pk} ({self.state})"


class ThemeState(models.Model):
    """One row: how far new and changed comments have been given their themes (responses.themes.assign)."""

    assigned_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="themestate_single_row")]

    def __str__(self):
        return f"Themes assigned until {self.assigned_until}"

    @classmethod
    def get(cls) -> "ThemeState":
        return cls.objects.get_or_create(pk=1)[0]


class ThemeClassifier(models.Model):
    """Suggestions learned from hand tags: a linear classifier for one theme (responses.themes.suggest)."""

    theme = models.OneToOneField(Theme, on_delete=models.CASCADE, primary_key=True, related_name="classifier")
    positives = models.PositiveIntegerField(default=0)
    negatives = models.PositiveIntegerField(default=0)
    # Cross-validated precision on the hand tags when trained: shown, and the suggestions are off below
    # responses.themes.suggest.MIN_PRECISION.
    precision = models.FloatField(default=0)
    # The coefficients and intercept (numpy .npz, no pickle) over a hashed character n-gram space.
    model = models.BinaryField(editable=False)
    trained_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Suggestions for theme {self.theme_id}"
