-- What a person chose to hear of by mail, by topic; a topic without a row is the role's
-- default (`tierdesk_core::notice::subscribed_by_default`). An address copied on a case
-- has rows too once it unsubscribes by a mail's link.
CREATE TABLE subscriptions (
    email       TEXT NOT NULL,
    topic       TEXT NOT NULL,
    channel     TEXT NOT NULL,
    enabled     BOOLEAN NOT NULL,
    updated_us  BIGINT NOT NULL,
    PRIMARY KEY (email, topic, channel)
);
