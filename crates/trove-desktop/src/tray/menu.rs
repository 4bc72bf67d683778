//! What the tray menu shows, whichever way it reaches the panel.

use trove_domain::clip::one_line;

pub const RECENT_ITEMS: usize = 5;
pub const RECENT_PREVIEW_CHARS: usize = 40;

/// What a menu entry does when clicked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Copy(u64),
    Show,
    TogglePause,
    Clear,
    Settings,
    About,
    Quit,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// Text only: a notice or the "no clips" line.
    Label,
    Separator,
    Button(Action),
    Check(Action, bool),
    Submenu(Vec<Item>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// Stable for the same entry across rebuilds; never 0, which is the root.
    pub id: i32,
    pub label: String,
    pub kind: Kind,
}

impl Item {
    fn new(id: i32, label: impl Into<String>, kind: Kind) -> Self {
        Self { id, label: label.into(), kind }
    }

    pub fn enabled(&self) -> bool {
        !matches!(self.kind, Kind::Label)
    }

    pub fn children(&self) -> &[Item] {
        match &self.kind {
            Kind::Submenu(children) => children,
            _ => &[],
        }
    }
}

mod id {
    pub const SHOW: i32 = 1;
    pub const PAUSE: i32 = 2;
    pub const CLEAR_MENU: i32 = 3;
    pub const CLEAR: i32 = 4;
    pub const SETTINGS: i32 = 5;
    pub const ABOUT: i32 = 6;
    pub const QUIT: i32 = 7;
    pub const NO_CLIPS: i32 = 8;
    pub const SEPARATORS: i32 = 10;
    pub const NOTICES: i32 = 100;
    /// A clip's entry is this plus the clip's id, so a click on a menu the panel
    /// has not redrawn yet still copies the clip it showed.
    pub const CLIPS: i32 = 1000;
}

/// Everything the menu is built from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Contents {
    /// What the user must know about, above everything else; usually nothing.
    pub notices: Vec<String>,
    /// The most recent clips, newest first: id and preview.
    pub recent: Vec<(u64, String)>,
    pub shortcut: Option<String>,
    pub paused: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Menu {
    pub items: Vec<Item>,
    pub tooltip: String,
}

impl Menu {
    pub fn new(contents: &Contents) -> Self {
        let mut items: Vec<Item> = contents
            .notices
            .iter()
            .zip(id::NOTICES..)
            .map(|(line, id)| Item::new(id, line.as_str(), Kind::Label))
            .collect();
        let clips: Vec<Item> = contents
            .recent
            .iter()
            .take(RECENT_ITEMS)
            .filter_map(|(clip, preview)| {
                let id = i32::try_from(*clip).ok()?.checked_add(id::CLIPS)?;
                Some(Item::new(id, recent_label(preview), Kind::Button(Action::Copy(*clip))))
            })
            .collect();
        if clips.is_empty() {
            items.push(Item::new(id::NO_CLIPS, "No clips yet", Kind::Label));
        }
        items.extend(clips);
        let separator = |n| Item::new(id::SEPARATORS + n, "", Kind::Separator);
        let show = match &contents.shortcut {
            Some(keys) => format!("Show history ({keys})"),
            None => "Show history".into(),
        };
        // The submenu is the confirmation: clearing takes a second, deliberate click.
        let clear = vec![Item::new(id::CLEAR, "Remove all clips except pinned", Kind::Button(Action::Clear))];
        items.extend([
            separator(0),
            Item::new(id::SHOW, show, Kind::Button(Action::Show)),
            Item::new(id::PAUSE, "Pause capture", Kind::Check(Action::TogglePause, contents.paused)),
            Item::new(id::CLEAR_MENU, "Clear history…", Kind::Submenu(clear)),
            separator(1),
            Item::new(id::SETTINGS, "Settings…", Kind::Button(Action::Settings)),
            Item::new(id::ABOUT, "About Trove", Kind::Button(Action::About)),
            separator(2),
            Item::new(id::QUIT, "Quit", Kind::Button(Action::Quit)),
        ]);
        let tooltip = match contents.notices.as_slice() {
            [] => "Trove".into(),
            lines => format!("Trove\n{}", lines.join("\n")),
        };
        Self { items, tooltip }
    }

    /// The entry with this id, at any depth.
    pub fn find(&self, id: i32) -> Option<&Item> {
        fn within(items: &[Item], id: i32) -> Option<&Item> {
            items.iter().find_map(|item| if item.id == id { Some(item) } else { within(item.children(), id) })
        }
        within(&self.items, id)
    }

    /// What clicking the entry `id` does; nothing for labels, separators and unknown ids.
    pub fn action(&self, id: i32) -> Option<Action> {
        match self.find(id)?.kind {
            Kind::Button(action) | Kind::Check(action, _) => Some(action),
            _ => None,
        }
    }
}

/// A clip's menu label: one line of at most `RECENT_PREVIEW_CHARS` characters.
fn recent_label(preview: &str) -> String {
    let line = one_line(preview, RECENT_PREVIEW_CHARS + 1);
    if line.chars().count() > RECENT_PREVIEW_CHARS {
        let cut: String = line.chars().take(RECENT_PREVIEW_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(menu: &Menu) -> Vec<&str> {
        menu.items.iter().map(|i| i.label.as_str()).collect()
    }

    #[test]
    fn an_empty_history_says_so_and_the_fixed_entries_follow() {
        let menu = Menu::new(&Contents::default());
        assert_eq!(
            labels(&menu),
            [
                "No clips yet",
                "",
                "Show history",
                "Pause capture",
                "Clear history…",
                "",
                "Settings…",
                "About Trove",
                "",
                "Quit"
            ]
        );
        assert!(!menu.items[0].enabled());
        assert_eq!(menu.tooltip, "Trove");
    }

    #[test]
    fn recent_clips_come_first_newest_on_top_and_clicks_copy_them() {
        let recent = (1..=7).rev().map(|n| (n, format!("clip {n}"))).collect();
        let menu = Menu::new(&Contents { recent, ..Contents::default() });
        assert_eq!(labels(&menu)[..RECENT_ITEMS], ["clip 7", "clip 6", "clip 5", "clip 4", "clip 3"]);
        assert_eq!(menu.items[RECENT_ITEMS].kind, Kind::Separator);
        assert_eq!(menu.action(menu.items[0].id), Some(Action::Copy(7)));
    }

    #[test]
    fn entries_keep_their_ids_when_their_text_or_position_changes() {
        let before = Menu::new(&Contents { recent: vec![(3, "a".into())], ..Contents::default() });
        let after = Menu::new(&Contents {
            notices: vec!["disk full".into()],
            recent: vec![(4, "b".into()), (3, "a".into())],
            shortcut: Some("Ctrl+Shift+V".into()),
            paused: true,
        });
        let id_of = |menu: &Menu, prefix: &str| menu.items.iter().find(|i| i.label.starts_with(prefix)).unwrap().id;
        for prefix in ["a", "Show history", "Pause capture", "Quit"] {
            assert_eq!(id_of(&before, prefix), id_of(&after, prefix), "{prefix}");
        }
        assert_eq!(after.items[0].label, "disk full");
        assert_eq!(after.items[4].label, "Show history (Ctrl+Shift+V)");
        assert_eq!(after.find(id_of(&after, "Pause")).unwrap().kind, Kind::Check(Action::TogglePause, true));
        assert_eq!(after.tooltip, "Trove\ndisk full");
    }

    #[test]
    fn clearing_is_one_level_down_and_labels_and_unknown_ids_do_nothing() {
        let menu = Menu::new(&Contents::default());
        let clear = menu.items.iter().find(|i| i.label == "Clear history…").unwrap();
        assert_eq!(menu.action(clear.id), None);
        assert_eq!(menu.action(clear.children()[0].id), Some(Action::Clear));
        assert_eq!(menu.action(menu.items[0].id), None);
        assert_eq!(menu.action(0), None);
        assert_eq!(menu.action(-5), None);
    }

    #[test]
    fn ids_are_unique_and_never_the_root() {
        let menu = Menu::new(&Contents {
            notices: vec!["one".into(), "two".into()],
            recent: (0..5).map(|n| (n, n.to_string())).collect(),
            ..Contents::default()
        });
        let mut ids = Vec::new();
        fn collect(items: &[Item], ids: &mut Vec<i32>) {
            for item in items {
                ids.push(item.id);
                collect(item.children(), ids);
            }
        }
        collect(&menu.items, &mut ids);
        let count = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), count);
        assert!(!ids.contains(&0));
    }

    #[test]
    fn a_clip_whose_id_does_not_fit_an_entry_id_is_left_out() {
        let menu =
            Menu::new(&Contents { recent: vec![(u64::MAX, "huge".into()), (2, "ok".into())], ..Contents::default() });
        assert_eq!(labels(&menu)[0], "ok");
    }

    #[test]
    fn long_previews_are_cut_to_one_short_line() {
        assert_eq!(recent_label("  two\n\nlines "), "two lines");
        let label = recent_label(&"x".repeat(100));
        assert_eq!(label.chars().count(), RECENT_PREVIEW_CHARS);
        assert!(label.ends_with('…'));
        assert_eq!(recent_label(&"y".repeat(RECENT_PREVIEW_CHARS)), "y".repeat(RECENT_PREVIEW_CHARS));
    }
}
