"""Users, roles, team invitations, sign-in, and the account and team pages (app label "nps")."""
