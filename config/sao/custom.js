/* Installed as var/sao/package/custom.js by `make sao`; sao's index.html
 * loads it after sao itself.
 *
 * sao 8.0 passes some dialog titles untranslated (the user preferences
 * dialog is titled "Preferences"): look every title up in the catalogue
 * (config/sao/vi.po). A title holding "%" is left alone, gettext would take
 * it for a format. */
(function() {
    'use strict';
    var add_title = Sao.Dialog.prototype.add_title;
    Sao.Dialog.prototype.add_title = function(title, small) {
        if ((typeof title == 'string') && !title.includes('%')) {
            title = Sao.i18n.gettext(title);
        }
        return add_title.call(this, title, small);
    };
}());

/* The title bar and the window name the system, not the framework (sao
 * names them "Tryton"): a name, set before any language is known. */
(function() {
    'use strict';
    Sao.config.title = 'Văn phòng điện tử';
    document.title = Sao.config.title;
    jQuery(function() {
        jQuery('#title').text(Sao.config.title);
    });
}());

/* A bar of a graph opens the records behind it (the keyword graph_open).
 * sao 8.0 looks them up by the x value billboard.js passes to the click,
 * which on a category axis (an x field that is neither a date nor a
 * datetime: a user, a division) is the category's index, not its label:
 * no records are found and the click fails with a TypeError. Look the
 * label up among the categories the chart was drawn with. */
(function() {
    'use strict';
    var Chart = Sao.View.Graph.Chart;
    var bb_config = Chart.prototype._bb_config;
    var action_key = Chart.prototype._action_key;
    Chart.prototype._bb_config = function(data) {
        this.categories = data.columns[0].slice(1);
        return bb_config.call(this, data);
    };
    Chart.prototype._action_key = function(data) {
        var type = this.view.screen.model.fields[this.xfield.name]
            .description.type;
        if ((type != 'date') && (type != 'datetime') && this.categories) {
            return this.categories[data.index];
        }
        return action_key.call(this, data);
    };
}());
