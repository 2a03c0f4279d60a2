-- The lab's weather view: the JSON document flattened, one city.
CREATE OR REPLACE VIEW weather_vw AS
SELECT
    epoch_ms((v ->> '$.time')::BIGINT * 1000)      AS observation_time,
    (v ->> '$.city.id')::INTEGER                   AS city_id,
    v ->> '$.city.name'                            AS city_name,
    v ->> '$.city.country'                         AS country,
    (v ->> '$.city.coord.lat')::DOUBLE             AS city_lat,
    (v ->> '$.city.coord.lon')::DOUBLE             AS city_lon,
    (v ->> '$.clouds.all')::INTEGER                AS clouds,
    (v ->> '$.main.temp')::DOUBLE                  AS temp_avg,
    (v ->> '$.main.temp_min')::DOUBLE              AS temp_min,
    (v ->> '$.main.temp_max')::DOUBLE              AS temp_max,
    (v ->> '$.weather[0].id')::INTEGER             AS weather_id,
    v ->> '$.weather[0].main'                      AS weather,
    v ->> '$.weather[0].description'               AS weather_desc,
    v ->> '$.weather[0].icon'                      AS weather_icon,
    (v ->> '$.wind.deg')::DOUBLE                   AS wind_dir,
    (v ->> '$.wind.speed')::DOUBLE                 AS wind_speed
FROM weather
WHERE (v ->> '$.city.id')::INTEGER = 5128638;

-- create_secure_vw.sql in DuckDB's SQL: every trip with the weather of the
-- hour it started in, temperatures in Celsius and Fahrenheit, 35 columns.
CREATE OR REPLACE VIEW trip_weather_vw AS
SELECT
    t.tripduration                                   AS TRIPDURATION,
    t.starttime                                      AS STARTTIME,
    t.stoptime                                       AS STOPTIME,
    t.start_station_id                               AS START_STATION_ID,
    t.start_station_name                             AS START_STATION_NAME,
    t.start_station_latitude                         AS START_STATION_LATITUDE,
    t.start_station_longitude                        AS START_STATION_LONGITUDE,
    t.end_station_id                                 AS END_STATION_ID,
    t.end_station_name                               AS END_STATION_NAME,
    t.end_station_latitude                           AS END_STATION_LATITUDE,
    t.end_station_longitude                          AS END_STATION_LONGITUDE,
    t.bikeid                                         AS BIKEID,
    t.membership_type                                AS NAME,
    t.usertype                                       AS USERTYPE,
    t.birth_year                                     AS BIRTH_YEAR,
    t.gender                                         AS GENDER,
    w.observation_time                               AS OBSERVATION_TIME,
    w.city_id                                        AS CITY_ID,
    w.city_name                                      AS CITY_NAME,
    w.country                                        AS COUNTRY,
    w.city_lat                                       AS CITY_LAT,
    w.city_lon                                       AS CITY_LON,
    w.clouds                                         AS CLOUDS,
    round(w.temp_avg - 273.15, 2)                    AS TEMP_AVG_C,
    round(w.temp_min - 273.15, 2)                    AS TEMP_MIN_C,
    round(w.temp_max - 273.15, 2)                    AS TEMP_MAX_C,
    round((w.temp_avg - 273.15) * 9 / 5 + 32, 2)     AS TEMP_AVG_F,
    round((w.temp_min - 273.15) * 9 / 5 + 32, 2)     AS TEMP_MIN_F,
    round((w.temp_max - 273.15) * 9 / 5 + 32, 2)     AS TEMP_MAX_F,
    w.weather_id                                     AS WEATHER_ID,
    w.weather                                        AS WEATHER,
    w.weather_desc                                   AS WEATHER_DESC,
    w.weather_icon                                   AS WEATHER_ICON,
    w.wind_dir                                       AS WIND_DIR,
    w.wind_speed                                     AS WIND_SPEED
FROM trips t
LEFT JOIN weather_vw w
  ON date_trunc('hour', t.starttime) = date_trunc('hour', w.observation_time);
