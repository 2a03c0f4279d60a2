-- Views the tests add to the sample schema before the application starts.

-- Fails at run time, on row 500, with the engine's own message.
CREATE OR REPLACE VIEW failing_vw AS
SELECT CASE WHEN i = 500 THEN error('Sensor data for hour 500 is corrupt') ELSE i END AS v
FROM range(1000) r(i);

-- Runs far longer than any test waits: for cancel and disconnect tests.
CREATE OR REPLACE VIEW slow_vw AS
SELECT sum(hash(i)) AS total FROM range(100000000000) r(i);

-- One value of each kind the protocol gives a JSON form.
CREATE OR REPLACE VIEW types_vw AS
SELECT
    42::INTEGER                                   AS an_integer,
    9007199254740993::BIGINT                      AS a_bigint,
    12.5000::DECIMAL(18, 4)                       AS a_decimal,
    123456789012345678.123456789::DECIMAL(38, 9)  AS a_wide_decimal,
    0.25::DOUBLE                                  AS a_double,
    true                                          AS a_boolean,
    'naïve "quoted" text'                         AS a_string,
    NULL::VARCHAR                                 AS a_null,
    DATE '2018-04-25'                             AS a_date,
    TIMESTAMP '2018-04-25 16:10:00'               AS a_timestamp,
    '{"city":{"id":5128638},"tags":["a","b"]}'::JSON AS a_json,
    [1, 2, 3]                                     AS a_list,
    {'name': 'dock', 'slots': 19}                 AS a_struct,
    '\xCA\xFE'::BLOB                              AS a_blob,
    TIME '10:30:15.25'                            AS a_time;

-- Takes a second or two, then succeeds: for watching a query run.
CREATE OR REPLACE VIEW sleepy_vw AS
SELECT count(*) AS n, sum(hash(i)) % 1000 AS checksum FROM range(400000000) r(i);

-- Rows of every filterable kind, with nulls and the LIKE wildcards % and _ in
-- text: for asking a view a question (columns, filters, order_by).
CREATE OR REPLACE VIEW question_vw AS
SELECT
    i::INTEGER                                                        AS id,
    (i * 1000)::BIGINT                                                AS big,
    (i / 8)::DECIMAL(10, 2)                                           AS price,
    i * 0.5::DOUBLE                                                   AS ratio,
    i % 3 = 0                                                         AS flag,
    CASE WHEN i % 10 = 0 THEN NULL
         WHEN i % 7 = 0 THEN 'a%b_' || i
         ELSE 'station ' || i END                                     AS label,
    DATE '2018-06-01' + (i % 30)::INTEGER                             AS day,
    TIMESTAMP '2018-06-01 00:00:00' + to_seconds(i * 3600)            AS at,
    CASE WHEN i % 5 = 0 THEN NULL ELSE i % 17 END                     AS maybe
FROM range(200) r(i);

-- Enough text (about 60 MB as CSV) to fill any socket's buffers: for exports
-- to a client that stops reading.
CREATE OR REPLACE VIEW bulky_vw AS
SELECT i AS n, repeat('x', 200) AS padding
FROM range(300000) r(i);
