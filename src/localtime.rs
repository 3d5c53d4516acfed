//! Times for people: the local wall clock (the `TZ` variable or the system's
//! zone), as terminals and the docs' "Recent Deliveries" view show them. Wire
//! formats stay RFC 3339 UTC; only human views use this.

use std::time::{SystemTime, UNIX_EPOCH};

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// A broken-down local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Local {
    /// e.g. 2026
    pub year: i32,
    /// 1..=12
    pub month: u32,
    /// 1..=31
    pub day: u32,
    /// 0..=23
    pub hour: u32,
    /// 0..=59
    pub minute: u32,
    /// 0..=60
    pub second: u32,
}

/// `t` in the local time zone (UTC where the zone cannot be read).
pub fn local(t: SystemTime) -> Local {
    // jiff reads `TZ` (a zone name or a POSIX rule) or the system zone from
    // /etc/localtime and /usr/share/zoneinfo, and caches what it found.
    let zone = TimeZone::try_system().unwrap_or(TimeZone::UTC);
    in_zone(unix_seconds(t), &zone)
}

fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

fn in_zone(secs: i64, zone: &TimeZone) -> Local {
    // Out of jiff's range (far beyond year 9999) only for a corrupt clock.
    let ts = Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH);
    let dt = zone.to_datetime(ts);
    Local {
        year: i32::from(dt.year()),
        month: dt.month() as u32,
        day: dt.day() as u32,
        hour: dt.hour() as u32,
        minute: dt.minute() as u32,
        second: dt.second() as u32,
    }
}

#[cfg(test)]
fn utc(secs: i64) -> Local {
    in_zone(secs, &TimeZone::UTC)
}

impl Local {
    /// `HH:MM:SS`
    pub fn hms(&self) -> String {
        format!("{:02}:{:02}:{:02}", self.hour, self.minute, self.second)
    }

    /// `YYYY-MM-DD`
    pub fn date(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `10:45 AM`, as the docs' delivery log writes it.
    pub fn h12(&self) -> String {
        let (h, half) = self.half_day();
        format!("{h}:{:02} {half}", self.minute)
    }

    /// `10:45:06 AM`, for times seconds apart.
    pub fn h12_seconds(&self) -> String {
        let (h, half) = self.half_day();
        format!("{h}:{:02}:{:02} {half}", self.minute, self.second)
    }

    fn half_day(&self) -> (u32, &'static str) {
        match self.hour {
            0 => (12, "AM"),
            1..=11 => (self.hour, "AM"),
            12 => (12, "PM"),
            h => (h - 12, "PM"),
        }
    }
}

/// `HH:MM:SS` of `t`, local.
pub fn hms(t: SystemTime) -> String {
    local(t).hms()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats() {
        let l = Local { year: 2026, month: 1, day: 22, hour: 0, minute: 5, second: 9 };
        assert_eq!(l.hms(), "00:05:09");
        assert_eq!(l.date(), "2026-01-22");
        assert_eq!(l.h12(), "12:05 AM");
        assert_eq!(Local { hour: 12, ..l }.h12(), "12:05 PM");
        assert_eq!(Local { hour: 13, ..l }.h12_seconds(), "1:05:09 PM");
        assert_eq!(Local { hour: 13, ..l }.h12_seconds(), "1:05:09 PM");
        assert_eq!(Local { hour: 22, ..l }.h12(), "10:05 PM");
        assert_eq!(Local { hour: 9, ..l }.h12(), "9:05 AM");
    }

    #[test]
    fn utc_fallback_breaks_down_correctly() {
        let l = utc(1_769_079_600 + 3_723);
        assert_eq!((l.year, l.month, l.day, l.hour, l.minute, l.second), (2026, 1, 22, 12, 2, 3));
    }

    #[test]
    fn local_differs_from_utc_by_whole_minutes_only() {
        // Whatever the zone, seconds agree and the date is within a day.
        let t = UNIX_EPOCH + Duration::from_secs(1_769_079_600 + 42);
        let (l, u) = (local(t), utc(1_769_079_600 + 42));
        assert_eq!(l.second, u.second);
        assert!(l.day.abs_diff(u.day) <= 1 || l.month != u.month);
    }
}
