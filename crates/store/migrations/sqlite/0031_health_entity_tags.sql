-- The tags of affected entities, one row a tag, so Health's tag filters find them by
-- key and value on both engines. `health_entities.tags_json` stays what is returned;
-- these rows are written with it and only answer filters.
CREATE TABLE health_entity_tags (
    event_arn     TEXT NOT NULL,
    account_id    TEXT NOT NULL,
    entity_value  TEXT NOT NULL,
    tag_key       TEXT NOT NULL,
    tag_value     TEXT NOT NULL,
    PRIMARY KEY (event_arn, account_id, entity_value, tag_key),
    FOREIGN KEY (event_arn, account_id, entity_value)
        REFERENCES health_entities (event_arn, account_id, entity_value)
);
CREATE INDEX health_entity_tags_by_tag ON health_entity_tags (tag_key, tag_value);
