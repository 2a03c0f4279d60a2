-- Deterministic pseudo-random numbers: hash(i, salt) is stable for a given
-- DuckDB version, so every machine generates the same rows.
CREATE OR REPLACE TEMP MACRO rnd(i, salt) AS (hash(i, salt) % 1000000)::DOUBLE / 1000000.0;

-- 600 docking stations spread over Manhattan and Brooklyn.
CREATE TEMP TABLE stations AS
SELECT
    100 + s AS station_id,
    (['W', 'E'])[s % 2 + 1] || ' ' || ((s * 7) % 120 + 1) || ' St & '
        || (['Broadway', '1 Ave', '2 Ave', '3 Ave', 'Lexington Ave', 'Park Ave', 'Madison Ave', '5 Ave',
             '6 Ave', '7 Ave', '8 Ave', '9 Ave', '10 Ave', '11 Ave', 'Amsterdam Ave', 'Columbus Ave'])[s % 16 + 1]
        AS station_name,
    round(40.68 + rnd(s, 'lat') * 0.12, 6) AS latitude,
    round(-74.02 + rnd(s, 'lon') * 0.09, 6) AS longitude
FROM range(600) r(s);

-- getvariable('trip_count') trips over the year 2018, in start-time order.
INSERT INTO trips
SELECT
    d.duration AS tripduration,
    d.start AS starttime,
    d.start + to_seconds(d.duration) AS stoptime,
    ss.station_id, ss.station_name, ss.latitude, ss.longitude,
    es.station_id, es.station_name, es.latitude, es.longitude,
    14529 + (hash(d.i, 'bike') % 20000)::INTEGER AS bikeid,
    CASE WHEN d.subscriber THEN 'Annual Membership'
         ELSE (['24 Hour', '3 Day', 'Single Ride'])[(hash(d.i, 'pass') % 3)::INTEGER + 1] END AS membership_type,
    CASE WHEN d.subscriber THEN 'Subscriber' ELSE 'Customer' END AS usertype,
    CASE WHEN NOT d.subscriber AND rnd(d.i, 'by') < 0.3 THEN NULL
         ELSE 1940 + (hash(d.i, 'birth') % 62)::INTEGER END AS birth_year,
    CASE WHEN NOT d.subscriber AND rnd(d.i, 'g') < 0.6 THEN 0
         WHEN rnd(d.i, 'g') < 0.7 THEN 1 ELSE 2 END AS gender
FROM (
    SELECT
        i,
        (60 + floor(-ln(1.0 - rnd(i, 'dur')) * 780))::INTEGER AS duration,
        TIMESTAMP '2018-01-01 00:00:00'
            + to_seconds((i * 31536000 // getvariable('trip_count'))::BIGINT + (hash(i, 'jitter') % 60)::BIGINT) AS start,
        rnd(i, 'user') < 0.86 AS subscriber,
        100 + (hash(i, 'from') % 600)::INTEGER AS start_id,
        100 + (hash(i, 'to') % 600)::INTEGER AS end_id
    FROM range(getvariable('trip_count')) r(i)
) d
JOIN stations ss ON ss.station_id = d.start_id
JOIN stations es ON es.station_id = d.end_id
ORDER BY d.i;

-- Hourly observations for 2018 of city 5128638 (New York), the city the view
-- keeps, and three-hourly ones for a second city that it filters out.
INSERT INTO weather
SELECT
    json_object(
        'city', json_object(
            'coord', json_object('lat', c.lat, 'lon', c.lon),
            'country', 'US', 'findname', upper(c.name), 'id', c.id, 'name', c.name, 'zoom', 1),
        'clouds', json_object('all', (hash(h, c.id, 'clouds') % 101)::INTEGER),
        'main', json_object(
            'humidity', 40 + (hash(h, c.id, 'hum') % 55)::INTEGER,
            'pressure', 1000 + (hash(h, c.id, 'press') % 40)::INTEGER,
            'temp', round(w.kelvin, 2),
            'temp_min', round(w.kelvin - 1 - rnd(h, 'tmin') * 2, 2),
            'temp_max', round(w.kelvin + 1 + rnd(h, 'tmax') * 2, 2)),
        'time', epoch(w.at)::BIGINT,
        'weather', json_array(json_object(
            'description', k.description,
            'icon', k.icon || CASE WHEN hour(w.at) BETWEEN 6 AND 19 THEN 'd' ELSE 'n' END,
            'id', k.id,
            'main', k.main)),
        'wind', json_object(
            'deg', (hash(h, c.id, 'deg') % 360)::INTEGER,
            'speed', round(rnd(h, 'speed') * 12, 1))
    ) AS v,
    w.at AS t
FROM range(8760) r(h)
CROSS JOIN (VALUES (5128638, 'New York', 43.000351, -75.499901, 1),
                   (5125771, 'Manhattan', 40.783430, -73.966250, 3)) c(id, name, lat, lon, every)
CROSS JOIN LATERAL (
    SELECT
        TIMESTAMP '2018-01-01 00:00:00' + to_hours(h) AS at,
        283.15 + 12 * sin(2 * pi() * (h / 24.0 - 110) / 365.0)
               + 4 * sin(2 * pi() * ((h % 24) - 9) / 24.0)
               + (rnd(h, c.id) - 0.5) * 3 AS kelvin,
        (hash(h // 6, c.id, 'sky') % 8)::INTEGER AS sky
) w
JOIN (VALUES (0, 800, 'Clear', 'clear sky', '01'),
             (1, 801, 'Clouds', 'few clouds', '02'),
             (2, 802, 'Clouds', 'scattered clouds', '03'),
             (3, 803, 'Clouds', 'broken clouds', '04'),
             (4, 804, 'Clouds', 'overcast clouds', '04'),
             (5, 500, 'Rain', 'light rain', '10'),
             (6, 701, 'Mist', 'mist', '50'),
             (7, 600, 'Snow', 'light snow', '13')) k(sky, id, main, description, icon)
  ON k.sky = w.sky
WHERE h % c.every = 0
ORDER BY w.at, c.id;

INSERT INTO sample_info VALUES (getvariable('trip_count'), getvariable('sample_version'), now()::TIMESTAMP);

DROP TABLE stations;
