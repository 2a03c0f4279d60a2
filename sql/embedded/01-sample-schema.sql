-- The embedded sample data set: the shape of Snowflake's Citibike lab
-- (trips + hourly OpenWeatherMap observations), generated deterministically.
-- Run by the application on first start, in file-name order, when the
-- database has no sample (or one of another size). The trip count comes in
-- as the session variable trip_count.

DROP VIEW IF EXISTS trip_weather_vw;
DROP VIEW IF EXISTS weather_vw;
DROP TABLE IF EXISTS trips;
DROP TABLE IF EXISTS weather;
DROP TABLE IF EXISTS stations;
DROP TABLE IF EXISTS sample_info;

-- As in the lab: one row per bike trip.
CREATE TABLE trips (
    tripduration            INTEGER,
    starttime               TIMESTAMP,
    stoptime                TIMESTAMP,
    start_station_id        INTEGER,
    start_station_name      VARCHAR,
    start_station_latitude  DOUBLE,
    start_station_longitude DOUBLE,
    end_station_id          INTEGER,
    end_station_name        VARCHAR,
    end_station_latitude    DOUBLE,
    end_station_longitude   DOUBLE,
    bikeid                  INTEGER,
    membership_type         VARCHAR,
    usertype                VARCHAR,
    birth_year              INTEGER,
    gender                  INTEGER
);

-- As in the lab's json_weather_data: the raw OpenWeatherMap document and its time.
CREATE TABLE weather (
    v JSON,
    t TIMESTAMP
);

-- What was generated, so that a restart reuses it.
CREATE TABLE sample_info (
    trip_count   BIGINT,
    version      INTEGER,
    generated_at TIMESTAMP
);
